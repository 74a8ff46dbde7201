import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import formatsModule from "ajv-formats";

/**
 * Checks answers against an OpenAPI 3.1 document, the one a server serves at /openapi.json: the
 * operation is found by method and path template, the response by status (else `default`), and the JSON
 * body is validated with the schema written there. The whole document is given to ajv under one `$id`,
 * so every `#/components/...` reference inside it resolves as it is written.
 */

const DOCUMENT_ID = "openapi.json";

// ajv-formats is CommonJS: under NodeNext its default import is the module object, under vite the function.
const addFormats = ((formatsModule as unknown as { default?: typeof formatsModule }).default ?? formatsModule) as unknown as (
  ajv: Ajv2020,
) => Ajv2020;

interface OperationObject {
  operationId?: string;
  responses?: Record<string, ResponseObject>;
}
interface ResponseObject {
  content?: Record<string, { schema?: unknown }>;
  headers?: Record<string, { required?: boolean; schema?: unknown }>;
}
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OperationObject>>;
  components?: Record<string, unknown>;
}

/** One answer as the client saw it. `body` is the parsed JSON (or the raw text when it was not JSON). */
export interface ObservedAnswer {
  method: string;
  /** The request's path as sent (percent-encoded, without the query). */
  path: string;
  status: number;
  headers: Record<string, string | undefined>;
  body: unknown;
  /** False when the body was not JSON text. */
  json: boolean;
}

export interface MatchedOperation {
  template: string;
  method: string;
  operation: OperationObject;
}

const escapePointer = (segment: string) => segment.replaceAll("~", "~0").replaceAll("/", "~1");

export class OpenApiValidator {
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly templates: { template: string; pattern: RegExp }[];

  constructor(readonly document: OpenApiDocument) {
    if (!document.openapi.startsWith("3.1")) throw new Error(`expected an OpenAPI 3.1 document, got ${document.openapi}`);
    // strict: false because the document carries OpenAPI keywords (example, ...) that are no JSON Schema keywords.
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema(document as object, DOCUMENT_ID);
    // Literal templates first, like the server's router: `/a/b` wins over `/a/{id}`.
    this.templates = Object.keys(document.paths)
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.split(/\{[^}]+\}/).map(escapeRegExp).join("[^/]+")}$`),
      }))
      .sort((a, b) => paramCount(a.template) - paramCount(b.template));
  }

  /** Fetches the document a running server serves. */
  static async fromServer(baseUrl: string): Promise<OpenApiValidator> {
    const response = await fetch(new URL("/openapi.json", baseUrl));
    if (response.status !== 200) throw new Error(`GET /openapi.json answered ${response.status}`);
    return new OpenApiValidator((await response.json()) as OpenApiDocument);
  }

  /** The operation a request reaches, by method and path template (the path as sent, percent-encoded). */
  operationOf(method: string, path: string): MatchedOperation | undefined {
    for (const { template, pattern } of this.templates) {
      if (!pattern.test(path)) continue;
      const operation = this.document.paths[template]?.[method.toLowerCase()];
      if (operation) return { template, method: method.toLowerCase(), operation };
    }
    return undefined;
  }

  /** The validator of one schema of the document, by JSON pointer (e.g. `/components/schemas/Workspace`). */
  schemaAt(pointer: string): ValidateFunction {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}#${pointer}` });
      this.validators.set(pointer, validate);
    }
    return validate;
  }

  /** A schema of one's own that may reference the document (`openapi.json#/components/...`). */
  compile(schema: object): ValidateFunction {
    return this.ajv.compile(schema);
  }

  /** The pointer of the JSON schema of an operation's answer with this status (or `default`), if documented. */
  responseSchemaPointer(match: MatchedOperation, status: number): string | undefined {
    const key = match.operation.responses?.[String(status)] ? String(status) : "default";
    if (!match.operation.responses?.[key]?.content?.["application/json"]?.schema) return undefined;
    return ["", "paths", match.template, match.method, "responses", key, "content", "application/json", "schema"]
      .map((segment, i) => (i === 0 ? segment : escapePointer(segment)))
      .join("/");
  }

  /**
   * Every way the answer differs from the document; empty when it matches. An operation that does not
   * exist, a status the operation does not list (and no `default`), a body that is not JSON where JSON
   * is documented, a body its schema rejects, a required response header missing.
   */
  problems(answer: ObservedAnswer): string[] {
    const match = this.operationOf(answer.method, answer.path);
    if (!match) return [`${answer.method} ${answer.path} is no operation of the document`];
    const where = `${answer.method} ${match.template} answered ${answer.status}`;
    const response = match.operation.responses?.[String(answer.status)] ?? match.operation.responses?.default;
    if (!response) {
      const listed = Object.keys(match.operation.responses ?? {}).join(", ");
      return [`${where}, a status the document does not list for it (it lists ${listed})`];
    }
    const problems: string[] = [];
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      if (header.required && answer.headers[name.toLowerCase()] === undefined) problems.push(`${where} without its required ${name} header`);
    }
    const pointer = this.responseSchemaPointer(match, answer.status);
    if (!pointer) return problems;
    const contentType = answer.headers["content-type"] ?? "";
    if (!/^application\/json\b/i.test(contentType)) problems.push(`${where} with content-type "${contentType}", not application/json`);
    if (!answer.json) return [...problems, `${where} with a body that is not JSON: ${JSON.stringify(answer.body)?.slice(0, 200)}`];
    const validate = this.schemaAt(pointer);
    if (!validate(answer.body)) {
      problems.push(`${where} with a body its schema rejects: ${this.ajv.errorsText(validate.errors)}; body: ${JSON.stringify(answer.body).slice(0, 500)}`);
    }
    return problems;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function paramCount(template: string): number {
  return (template.match(/\{/g) ?? []).length;
}
