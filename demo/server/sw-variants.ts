/** One worker configuration, passed verbatim (after `{{self}}` substitution) to `installAuthProxy`. */
export type SwVariantConfig = { readonly [key: string]: unknown };

/** Named worker configurations, served at `/variants/<name>/auth-sw.js`. */
export type SwVariants = Readonly<Record<string, SwVariantConfig>>;

/** Variant names end up in URL paths, so they stay boring. */
export const SW_VARIANT_NAME_PATTERN = /^[a-z0-9-]+$/;

/** The placeholder a variant config uses for the origin the worker is served from. */
export const SELF_ORIGIN_PLACEHOLDER = '{{self}}';

/**
 * Checks a value (usually `JSON.parse(process.env.DEMO_SW_VARIANTS)`) and returns it as variants.
 * Throws on anything else, so a typo in a test's environment fails at startup, not in a browser.
 *
 * @example
 * ```ts
 * const variants = parseSwVariants('{"memory":{"refreshTokenStorage":"memory"}}');
 * ```
 */
export function parseSwVariants(json: string): SwVariants {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`Failed to read DEMO_SW_VARIANTS: not JSON (${(error as Error).message})`, { cause: error });
  }
  return validateSwVariants(value);
}

/** Same as {@link parseSwVariants} for an already parsed value (the programmatic option). */
export function validateSwVariants(value: unknown): SwVariants {
  if (!isPlainObject(value)) {
    throw new Error('Failed to read SW variants: expected an object of { "<name>": { ...config } }');
  }
  const variants: Record<string, SwVariantConfig> = {};
  for (const [name, config] of Object.entries(value)) {
    if (!SW_VARIANT_NAME_PATTERN.test(name)) {
      throw new Error(`Failed to read SW variants: name "${name}" does not match [a-z0-9-]+`);
    }
    if (!isPlainObject(config)) {
      throw new Error(`Failed to read SW variants: config of "${name}" is not an object`);
    }
    variants[name] = config;
  }
  return variants;
}

/** Looks a variant up by name without walking the prototype chain. */
export function findSwVariant(variants: SwVariants, name: string): SwVariantConfig | undefined {
  return Object.hasOwn(variants, name) ? variants[name] : undefined;
}

/**
 * The classic worker script for one variant. `{{self}}` is replaced at any depth so a config can
 * name the origin the worker runs on without knowing the port the server picked.
 *
 * @example
 * ```ts
 * renderSwVariantScript({ refreshEndpoint: '{{self}}/auth/token' }, 'http://localhost:41234');
 * // importScripts('/sw-auth-proxy.js');
 * // SwAuthProxy.installAuthProxy({"refreshEndpoint":"http://localhost:41234/auth/token"});
 * ```
 */
export function renderSwVariantScript(config: SwVariantConfig, selfOrigin: string): string {
  const json = JSON.stringify(renderSwVariantConfig(config, selfOrigin));
  return `importScripts('/sw-auth-proxy.js');\nSwAuthProxy.installAuthProxy(${json});\n`;
}

/** The config with `{{self}}` replaced at any depth: what the variant's worker (and page, in page mode) runs. */
export function renderSwVariantConfig(config: SwVariantConfig, selfOrigin: string): SwVariantConfig {
  return replaceSelf(config, selfOrigin) as SwVariantConfig;
}

function replaceSelf(value: unknown, selfOrigin: string): unknown {
  if (value === SELF_ORIGIN_PLACEHOLDER) return selfOrigin;
  if (Array.isArray(value)) return value.map((item) => replaceSelf(item, selfOrigin));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceSelf(item, selfOrigin)]));
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
