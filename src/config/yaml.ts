type Yaml = typeof import('yaml')

/**
 * The yaml package, loaded when first needed (most runs never parse YAML). yaml is CommonJS: bundled
 * (scripts/bundle.mjs) a dynamic import gives its exports as `default` only, as Node's own ES module
 * loader may; unbundled, as named exports too. Either way this returns the exports.
 */
export async function loadYaml(): Promise<Yaml> {
  const mod = (await import('yaml')) as Yaml & {default?: Yaml}
  return typeof mod.parseDocument === 'function' ? mod : (mod.default as Yaml)
}
