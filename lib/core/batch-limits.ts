/**
 * Limits of one batch, shared by the server (which enforces them) and the composer (which shows
 * them before a request is sent).
 */

/** Most images one batch makes, all prompts together. */
export const maxImagesPerBatch = 100;
