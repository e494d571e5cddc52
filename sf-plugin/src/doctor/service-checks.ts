import { parseModelCard } from '../project/model-cards.ts';
import { serviceErrorMessage, ServiceUnreachableError } from '../service/service-client.ts';
import type { ServiceClient } from '../service/service-client.ts';
import { FindingLog } from './findings.ts';
import { checkMappingAgainstCard } from './mapping-vs-card.ts';
import type { CheckedEndpoint } from './project-checks.ts';

/**
 * The service half of `sf byom doctor`: reachable (/healthz), ready (/readyz), key accepted
 * (/v1/models with the key), and every endpoint's model served with the features its
 * mapping sends (the served card, which is what validates Salesforce's requests).
 */

interface ModelList {
  models?: Array<{ name: string; defaultVersion: string; versions: string[] }>;
}

/** A path that is one of the service's routes, not a prefix the service could be mounted under. */
const SERVICE_ROUTE =
  /(\/v1\/(score|models|generate|chat)\b.*|\/v2(\/.*)?|\/healthz|\/readyz|\/metrics|\/docs|\/openapi\.json)\/?$/;

/** For a URL that names one of the service's routes (`…/v1/score`), the service root to use instead. */
export function serviceRootOf(url: string): string | undefined {
  const parsed = new URL(url);
  const match = SERVICE_ROUTE.exec(parsed.pathname);
  if (!match) return undefined;
  parsed.pathname = parsed.pathname.slice(0, match.index) || '/';
  parsed.search = '';
  return parsed.toString().replace(/\/$/, '');
}

export async function checkService(
  client: ServiceClient,
  keyEnv: string,
  hasKey: boolean,
  endpoints: readonly CheckedEndpoint[],
): Promise<FindingLog> {
  const log = new FindingLog('service');
  const where = client.baseUrl;
  const root = serviceRootOf(client.baseUrl);
  if (root !== undefined) {
    // The service answers a route's own path with 401 or 404, which would read as a key problem.
    log.error('SERVICE_URL_NOT_ROOT', where, [new URL(client.baseUrl).pathname], [root]);
    return log;
  }
  try {
    const live = await client.get('/healthz');
    if (live.status !== 200) {
      log.error('SERVICE_UNEXPECTED', where, ['/healthz', live.status, serviceErrorMessage(live)]);
      return log;
    }
    log.pass('SERVICE_LIVE', where);
    const ready = await client.get('/readyz');
    const readyBody = (ready.body ?? {}) as { status?: string; models?: number };
    if (ready.status === 200) log.pass('SERVICE_READY', where, [readyBody.models ?? '?']);
    else log.error('SERVICE_NOT_READY', where, [readyBody.status ?? 'unknown', ready.status]);

    if (!hasKey) {
      log.warning('SERVICE_KEY_NOT_CHECKED', where, [keyEnv], [keyEnv]);
      return log;
    }
    const list = await client.get('/v1/models', true);
    if (list.status === 401) {
      log.error('SERVICE_KEY_REJECTED', where, [keyEnv]);
      return log;
    }
    if (list.status !== 200) {
      log.error('SERVICE_UNEXPECTED', where, ['/v1/models', list.status, serviceErrorMessage(list)]);
      return log;
    }
    log.pass('SERVICE_KEY_ACCEPTED', where, [keyEnv]);

    const served = (list.body as ModelList).models ?? [];
    for (const endpoint of endpoints) {
      if (!endpoint.modelName) continue;
      const at = `${where}: ${endpoint.name}`;
      const model = served.find((m) => m.name === endpoint.modelName);
      const wanted = endpoint.modelVersion ?? model?.defaultVersion;
      if (!model || (endpoint.modelVersion && !model.versions.includes(endpoint.modelVersion))) {
        const servedList = served.map((m) => `${m.name} (${m.versions.join(', ')})`).join('; ') || 'nothing';
        log.error('SERVICE_MODEL_MISSING', at, [
          endpoint.modelName,
          endpoint.modelVersion ? ` ${endpoint.modelVersion}` : '',
          servedList,
        ]);
        continue;
      }
      const detail = await client.get(`/v1/models/${encodeURIComponent(model.name)}`, true);
      const cards = (detail.body as { versions?: unknown[] } | undefined)?.versions ?? [];
      const card = cards
        .map((c) => parseModelCard(c, where, `${where}/v1/models/${model.name}`))
        .find((c) => typeof c !== 'string' && c.version === wanted);
      if (!card || typeof card === 'string') {
        log.error('SERVICE_UNEXPECTED', at, [
          `/v1/models/${model.name}`,
          detail.status,
          'no card for the served version',
        ]);
        continue;
      }
      if (!checkMappingAgainstCard(log, at, endpoint.mapped, card)) {
        log.pass('SERVICE_MODEL_OK', at, [card.name, card.version]);
      }
    }
  } catch (error) {
    if (!(error instanceof ServiceUnreachableError)) throw error;
    log.error('SERVICE_UNREACHABLE', where, [error.message]);
  }
  return log;
}
