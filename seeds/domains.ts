/**
 * Registers each domain's seed extension (groups, posts, ...) with the generator. Import this
 * module before calling `seed()` to get every domain's data.
 */
export {};
