/**
 * Case-insensitive comparison for every alphabet. SQLite's LIKE and lower() only fold ASCII and the two
 * databases fold differently, so the application computes one folded key and stores it beside the text:
 * the same key on SQLite and PostgreSQL. Upper-then-lower folds special cases such as "ß" → "ss";
 * NFKC makes composed and decomposed forms (é vs e + ´) equal.
 */
export function foldCase(text: string): string {
  return text.normalize("NFKC").toUpperCase().toLowerCase();
}

/** The folded text that substring search runs over: name and email, separated so a match cannot span both. */
export function profileSearchKey(name: string, email: string): string {
  return `${foldCase(name)}\n${foldCase(email)}`;
}

/** Escapes LIKE wildcards so user input matches literally (used with `ESCAPE '\'`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
