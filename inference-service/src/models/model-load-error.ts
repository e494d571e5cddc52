/** A model that cannot be served, named by its file and (where known) the card field to fix; it stops the boot. */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
  readonly file: string;
  readonly field: string | undefined;
  readonly problem: string;

  constructor(file: string, field: string | undefined, problem: string) {
    super(field ? `${file}: ${field}: ${problem}` : `${file}: ${problem}`);
    this.file = file;
    this.field = field;
    this.problem = problem;
  }
}
