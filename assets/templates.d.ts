/** templates/*.json, embedded by dev/build.ts (its templates plugin). */
declare module 'virtual:templates' {
  const templates: { file: string; json: unknown }[];
  export default templates;
}
