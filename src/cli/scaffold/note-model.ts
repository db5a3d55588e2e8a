/**
 * The model of the scaffold, as `project/src/models.ts.tpl` declares it: `rampart new` writes the
 * first migration from it. `tests/cli/new.test.ts` runs `makemigrations --check` in a new
 * project, so this copy and the written file cannot drift apart unnoticed.
 *
 * @module
 */
import { field, model } from '../../db/index.js';

/** The largest note the scaffold accepts, in characters. */
export const MAX_NOTE_LENGTH = 500;

export const Note = model(
  'notes_note',
  {
    text: field.string({ maxLength: MAX_NOTE_LENGTH }),
    created_at: field.datetime({ autoNowAdd: true }),
  },
  { ordering: ['-created_at'] },
);
