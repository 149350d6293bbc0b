// Onboarding templates: `onboarding/*.yml`, one template per file (its name is the file's base name), validated
// with file:line errors and re-read on demand; a file that turns invalid keeps its last valid version.
import path from 'node:path';
import { parseYaml, YamlDirectory } from '../yaml-file.js';
import { type Template, templateSchema } from './model.js';

export const DEFAULT_TEMPLATE = 'default';

/** Parses one template file's text; throws a YamlFileError whose problems read "file:line: field: problem". */
export function parseTemplate(text: string, file: string): Template {
  return parseYaml(templateSchema, text, file);
}

export class TemplateBook {
  private readonly files: YamlDirectory<Template>;
  templates = new Map<string, Template>();
  problems: string[] = [];

  constructor(readonly dir: string) {
    this.files = new YamlDirectory(dir, parseTemplate);
  }

  reload(): this {
    const { values, problems } = this.files.reload();
    this.templates = new Map(values.map((v) => [path.basename(v.file).replace(/\.ya?ml$/, ''), v.value]));
    this.problems = problems;
    return this;
  }

  /** The named template, else the team's own (named by its key), else `default`. */
  pick(name: string | undefined, teamKey: string | undefined): { name: string; template: Template } | undefined {
    this.reload();
    for (const candidate of [name, name ? undefined : teamKey, name ? undefined : DEFAULT_TEMPLATE]) {
      const template = candidate ? this.templates.get(candidate) : undefined;
      if (candidate && template) return { name: candidate, template };
    }
    return undefined;
  }

  names(): string[] {
    return [...this.reload().templates.keys()].sort();
  }
}
