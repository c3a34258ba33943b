// The shapes of the news (GET /api/classrooms/:cid/news, the news channel, a fired event's answer) and of the
// scenario's timeline on the instructor's classroom view. Re-exported by schemas.ts.
import Type, { type TSchema } from 'typebox';

const Out = (props: Record<string, TSchema>) => Type.Object(props, { additionalProperties: false });
const Nullable = (t: TSchema) => Type.Union([t, Type.Null()]);

export const NewsOut = Out({
  seq: Type.Integer(),
  tsMs: Type.Number(),
  time: Type.String(),
  title: Type.String({ description: 'in English' }),
  text: Type.String({ description: 'in English' }),
  kind: Nullable(
    Type.String({
      description:
        'what it is, for a page to word it from params: auction-open, auction-closed, auction-unsold, ' +
        'auction-withdrawn, deadline-moved, settlement, announcement, coverage-plan, allocation-plan, ccer-outlook, ' +
        'rule-change (null: the English is all there is)',
    }),
  ),
  params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), {
    description: 'the values of the wording: tonnes and counts as integers, money as CNY text (keys ending Cny)',
  }),
  titleZh: Nullable(Type.String({ description: "a scenario announcement's or policy plan's own Chinese title" })),
  textZh: Nullable(Type.String({ description: "a scenario announcement's own Chinese text" })),
});
export const TimelineOut = Out({
  index: Type.Integer(),
  date: Type.String(),
  kind: Type.String(),
  title: Type.String(),
  titleZh: Nullable(Type.String({ description: "an announcement's or policy plan's own Chinese title" })),
  fired: Type.Boolean({ description: 'the instructor fired it' }),
  done: Type.Boolean({ description: 'it has taken effect (fired, or on its date): it cannot be fired again' }),
});
