/**
 * The models. After changing them, run `npm run makemigrations` and then `npm run migrate`.
 */
import { field, model } from 'rampart/db';

/** The largest note accepted, in characters. */
export const MAX_NOTE_LENGTH = 500;

export const Note = model(
  'notes_note',
  {
    text: field.string({ maxLength: MAX_NOTE_LENGTH }),
    created_at: field.datetime({ autoNowAdd: true }),
  },
  { ordering: ['-created_at'] },
);
