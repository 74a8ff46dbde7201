import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from "jose";

/**
 * Dev mode's signing key: an RS256 key pair created once in DATA_DIR and reused, so tokens printed by
 * `npm run token` keep working across restarts. Only the public half is ever served.
 */
export interface DevKeyPair {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function loadOrCreateDevKey(file: string): Promise<DevKeyPair> {
  const stored = readStoredKey(file) ?? (await createStoredKey(file));
  const privateKey = (await importJWK(stored.privateJwk, "RS256")) as CryptoKey;
  return { kid: stored.kid, privateKey, publicJwk: { ...stored.publicJwk, kid: stored.kid, alg: "RS256", use: "sig" } };
}

function readStoredKey(file: string): StoredKey | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as StoredKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function createStoredKey(file: string): Promise<StoredKey> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const stored: StoredKey = {
    kid: `dev-${randomUUID()}`,
    privateJwk: await exportJWK(privateKey),
    publicJwk: await exportJWK(publicKey),
  };
  mkdirSync(dirname(file), { recursive: true });
  try {
    // "wx": if two processes start at once, the first write wins and the other reads it.
    writeFileSync(file, JSON.stringify(stored), { flag: "wx", mode: 0o600 });
    return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        const existing = readStoredKey(file);
        if (existing) return existing;
      } catch {
        // the other process is still writing it
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`Could not read the dev key at ${file}`);
  }
}
