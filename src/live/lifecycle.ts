// The instructor's commands on the classroom as a whole, and the clock's tick: their journal form and how they
// apply (the classroom itself, classroom.ts, runs them: construction, clock and lifecycle are its own).
import Type from 'typebox';
import { command, J } from './command.ts';
import { LiveCode, refuse } from './errors.ts';

export const lifecycleCommands = {
  /** Exchange time moves on by `exchangeMs` (the server's wall clock times the speed); the bots trade up to it. */
  tick: command(Type.Object({ op: J.op('tick'), exchangeMs: Type.Number() }), (room, c) => {
    if (!Number.isFinite(c.exchangeMs) || c.exchangeMs < 0)
      return refuse(LiveCode.BadInput, `a tick of ${c.exchangeMs} ms is not a duration`);
    if (room.state !== 'running') return refuse(LiveCode.NotRunning, `the classroom is ${room.state}`);
    room.advanceExchange(c.exchangeMs);
    return { ok: true, value: room.nowTsMs };
  }),
  start: command(Type.Object({ op: J.op('start') }), (room) => room.start()),
  pause: command(Type.Object({ op: J.op('pause') }), (room) => room.pause()),
  resume: command(Type.Object({ op: J.op('resume') }), (room) => room.resume()),
  end: command(Type.Object({ op: J.op('end') }), (room) => room.end()),
  speed: command(Type.Object({ op: J.op('speed'), speed: Type.Number() }), (room, c) => room.setSpeed(c.speed)),
  bots: command(Type.Object({ op: J.op('bots'), intensity: Type.Number() }), (room, c) =>
    room.setBotIntensity(c.intensity),
  ),
};
