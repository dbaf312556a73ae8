/**
 * The record schema as the store reads and writes it: defined in src/protocols/record.ts, where
 * the sessions that fill it can reach it without importing upwards. Readers of records import
 * it from here.
 */
export * from "../protocols/record.js";
