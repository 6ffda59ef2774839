/**
 * The message contract (contract-tests/messages/*.schema.json) as Ajv validators: every schema registered by
 * its `$id`, one validator per `type` + `version`, formats checked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { MESSAGES_DIR } from './contract.js';

const SCHEMA_BASE = 'https://schemas.contoso-shop.example/messages/';

/** Returns the violations of `message` against the schema its `type` and `version` name ([] when valid). */
export type MessageValidator = (message: unknown) => string[];

export function messageValidator(): MessageValidator {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the repository's message schema folder
  for (const name of readdirSync(MESSAGES_DIR)
    .filter((file) => file.endsWith('.schema.json'))
    .sort()) {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- files listed from that folder
    ajv.addSchema(JSON.parse(readFileSync(join(MESSAGES_DIR, name), 'utf8')) as object);
  }
  return (message) => {
    const { type, version } = (typeof message === 'object' && message !== null ? message : {}) as Record<
      string,
      unknown
    >;
    const validate = ajv.getSchema(`${SCHEMA_BASE}${String(type)}.v${String(version)}.schema.json`);
    if (validate === undefined) return [`no schema for ${String(type)} v${String(version)}`];
    if (validate(message)) return [];
    return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
  };
}
