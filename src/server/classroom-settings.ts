// A classroom built from its stored settings (its row in the store): the hub creates and restores classrooms with
// it, and journal-replay.ts rebuilds one from a data folder. The row's rules version (src/live/types.ts
// RULES_BEFORE_ROUNDS ...) goes into the classroom, so that a class keeps the rules its journal was written under.
import { Classroom } from '../live/classroom.ts';
import { rulesVersion } from '../live/types.ts';
import type { RunContext } from '../sim/run.ts';
import { type ClassroomRow, StoreError } from '../store/live-db.ts';
import { loadScenario } from '../store/scenario-files.ts';

export type ClassroomSettings = Pick<
  ClassroomRow,
  'id' | 'name' | 'scenario' | 'seed' | 'speed' | 'botIntensity' | 'rules'
>;

/** The classroom of these settings, fresh (no command applied); throws StoreError on rules this version lacks. */
export function buildClassroom(ctx: RunContext, s: ClassroomSettings): Classroom {
  const rules = rulesVersion(s.rules);
  if (rules === null)
    throw new StoreError(
      `classroom ${s.id} runs by rules ${s.rules}, which this version of cets does not know (a newer version wrote ` +
        'it): start that version on this data folder.',
    );
  const scenario = loadScenario(s.scenario, ctx).scenario;
  const { id, name, seed, speed, botIntensity } = s;
  return new Classroom({ id, name, scenario, data: ctx, seed, speed, botIntensity, rules });
}
