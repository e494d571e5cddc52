/**
 * Rollup options for the local preview: the real aiScoreCard, aiInsightPanel, errorPanel and ldsUtils
 * sources, the real Lightning base components (lightning-base-components), and small
 * stand-ins for what only a Salesforce org provides (Apex, empApi, toasts, i18n).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import lwc from '@lwc/rollup-plugin';
import replace from '@rollup/plugin-replace';
import resolve from '@rollup/plugin-node-resolve';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '..');
const lwcDir = path.join(projectRoot, 'force-app/main/default/lwc');
const stubs = path.join(here, 'src/stubs');

/** The project's components the preview shows, and those they use; add one here when they start using it. */
const COMPONENTS = ['aiScoreCard', 'aiInsightPanel', 'errorPanel', 'ldsUtils'];

/** Platform modules, and the stand-in that plays each one in the preview. */
const STAND_INS = {
  '@salesforce/apex/AiScoreCardController.getScoreCard': 'getScoreCard.js',
  '@salesforce/apex/AiScoreCardController.rescore': 'rescore.js',
  '@salesforce/apex/AiInsightController.listTemplates': 'listTemplates.js',
  '@salesforce/apex/AiInsightController.generate': 'generate.js',
  '@salesforce/apex/AiInsightController.saveFeedback': 'saveFeedback.js',
  '@salesforce/apex': 'apex.js',
  'lightning/empApi': 'empApi.js',
  'lightning/platformShowToastEvent': 'platformShowToastEvent.js',
  '@salesforce/i18n/locale': 'i18nLocale.js',
  '@salesforce/i18n/currency': 'i18nCurrency.js',
  '@salesforce/i18n/timeZone': 'i18nTimeZone.js',
};

/** Lets the preview import the Jest fixtures as they are (no JSON plugin is installed). */
function jsonModules() {
  return {
    name: 'json-modules',
    transform(code, id) {
      if (!id.endsWith('.json')) {
        return null;
      }
      return { code: `export default ${JSON.stringify(JSON.parse(code))};`, map: null };
    },
  };
}

const ICON_CATEGORIES = ['utility', 'standard', 'action', 'doctype', 'custom'];
const ICON_NAME = new RegExp(`\\b(${ICON_CATEGORIES.join('|')}):([a-z0-9_]+)\\b`, 'g');
const iconTemplatesDir = path.join(projectRoot, 'node_modules/lightning-base-components/src/lightning');

/**
 * lightning-icon draws icons from template libraries of thousands of SVGs per category,
 * which would make the build take half a minute. The preview needs only the icons the
 * components name (`utility:refresh`…), so it serves a library of just those, found by
 * reading the components' sources: a new icon in the card shows up without touching this.
 */
function iconLibraries() {
  const prefix = '\0preview-icons:';
  return {
    name: 'preview-icon-libraries',
    resolveId(source) {
      const match = /^lightning\/iconSvgTemplates(Utility|Standard|Action|Doctype|Custom)(Rtl)?$/.exec(source);
      return match ? `${prefix}${match[1].toLowerCase()}` : null;
    },
    load(id) {
      if (!id.startsWith(prefix)) {
        return null;
      }
      const category = id.slice(prefix.length);
      const names = new Set();
      for (const component of COMPONENTS) {
        for (const file of readdirSync(path.join(lwcDir, component))) {
          if (/\.(js|html)$/.test(file)) {
            const source = readFileSync(path.join(lwcDir, component, file), 'utf8');
            for (const [, iconCategory, name] of source.matchAll(ICON_NAME)) {
              if (iconCategory === category) names.add(name);
            }
          }
        }
      }
      const capitalized = category[0].toUpperCase() + category.slice(1);
      const dir = path.join(iconTemplatesDir, `iconSvgTemplates${capitalized}`, 'buildTemplates', category);
      const keys = [...names].filter((name) => existsSync(path.join(dir, `${name}.html`)));
      return [
        ...keys.map((name) => `import ${category}_${name} from ${JSON.stringify(path.join(dir, `${name}.html`))};`),
        `export default { ${keys.map((name) => `${category}_${name}`).join(', ')} };`,
      ].join('\n');
    },
  };
}

export const PREVIEW_ENTRY = path.join(here, 'src/main.js');

export function previewRollupOptions() {
  return {
    input: PREVIEW_ENTRY,
    plugins: [
      jsonModules(),
      iconLibraries(),
      lwc({
        rootDir: projectRoot,
        // lightning-combobox is form-associated (ElementInternals); the platform lets it attach
        // internals under synthetic shadow, and so must the preview.
        enableSyntheticElementInternals: true,
        exclude: ['**/*.json'],
        modules: [
          ...COMPONENTS.map((name) => ({ name: `c/${name}`, path: path.join(lwcDir, name, `${name}.js`) })),
          ...Object.entries(STAND_INS).map(([name, file]) => ({ name, path: path.join(stubs, file) })),
          { npm: 'lightning-base-components' },
        ],
      }),
      replace({
        preventAssignment: true,
        values: { 'process.env.NODE_ENV': JSON.stringify('production'), 'import.meta.env.SSR': 'false' },
      }),
      resolve({ browser: true }),
    ],
    onwarn(warning) {
      // A module without a stand-in would fail in the browser, and a warning about our own
      // code is a bug: fail the build. Warnings inside dependencies are theirs to fix.
      const file = warning.id ?? warning.loc?.file ?? '';
      if (warning.code === 'UNRESOLVED_IMPORT' || (file && !file.includes('node_modules'))) {
        throw new Error(`Preview build: ${warning.message}`);
      }
    },
  };
}
