import type { Config } from '../config.ts';
import type { ExampleRequest } from '../scoring/example-request.ts';
import { isLoopback, localBaseUrl } from './listen-address.ts';

/**
 * What `npm start` prints once the models are loaded in development: where the service is,
 * the development key, and a curl that scores a record (example-request.ts checked it works).
 */
export function developmentBanner(
  cfg: Pick<Config, 'host' | 'port' | 'apiKeys' | 'devKeyFile' | 'devKeyNotSaved'>,
  example: { request: ExampleRequest; bundled: boolean } | undefined,
): string {
  const base = localBaseUrl(cfg.host, cfg.port);
  const request = example
    ? `${example.bundled ? 'Score a lead with the bundled model' : `Score a record with ${example.request.model} ${example.request.version}`}:

  curl -s ${base}/v1/score \\
    -H "Authorization: Bearer $BYOM_KEY" -H "Content-Type: application/json" \\
    -d ${shellQuote(JSON.stringify(example.request))}
`
    : `No loaded model scored an example record built from its card; see ${base}/docs for the request format.\n`;
  return `
BYOM Bridge inference service is ready at ${base} (API docs: open ${base}/docs in a browser).
${isLoopback(cfg.host) ? 'It listens on this machine only; set HOST=0.0.0.0 to accept other machines.\n' : ''}No BYOM_API_KEYS was set, so this run uses the development key${
    cfg.devKeyFile
      ? ` saved in ${cfg.devKeyFile}\n(the same on every start; delete the file for a new one)`
      : `, for this run only: ${cfg.devKeyNotSaved ?? 'it could not be saved'}`
  }:

  export BYOM_KEY=${cfg.apiKeys[0]}

${request}
`;
}

/** One shell word, single-quoted: a category such as "Women's Apparel" must not end the quote. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
