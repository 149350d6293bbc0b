import { DEFAULT_CALENDAR, type WorkCalendar } from '../lib/work-calendar.js';
import { parseYaml, YamlDirectory } from '../yaml-file.js';
import { type Rule, ruleListSchema, rulesFileSchema } from './rules.js';

export interface LoadedRule {
  rule: Rule;
  file: string;
  /** The file's calendar when the rule counts working hours only. */
  calendar?: WorkCalendar;
}

/** Rules from the text of one YAML file (a list, or `calendar:` + `rules:`); throws YamlFileError with file:line. */
export function parseRulesFile(text: string, file: string): LoadedRule[] {
  const parsed = parseYaml((value) => (Array.isArray(value) ? ruleListSchema : rulesFileSchema), text, file);
  const { rules, calendar } = Array.isArray(parsed) ? { rules: parsed, calendar: undefined } : parsed;
  return rules.map((rule) => ({
    rule,
    file,
    ...(rule.working_hours ? { calendar: calendar ?? DEFAULT_CALENDAR } : {}),
  }));
}

/** The rules in `rules/*.yml`, re-read before each evaluation; invalid files keep their last valid rules. */
export class RuleBook {
  private readonly files: YamlDirectory<LoadedRule[]>;
  problems: string[] = [];
  rules: LoadedRule[] = [];
  /** Every rule's name, disabled ones included (policies may name them). */
  names: string[] = [];

  constructor(dir: string) {
    this.files = new YamlDirectory(dir, parseRulesFile);
  }

  reload(): this {
    const { values, problems } = this.files.reload();
    const byName = new Map<string, LoadedRule>();
    const duplicates: string[] = [];
    for (const loaded of values.flatMap((v) => v.value)) {
      const first = byName.get(loaded.rule.name);
      if (first)
        duplicates.push(`${loaded.file}: rule "${loaded.rule.name}" is already defined in ${first.file}; ignored`);
      else byName.set(loaded.rule.name, loaded);
    }
    this.names = [...byName.keys()];
    this.rules = [...byName.values()].filter((r) => r.rule.enabled);
    this.problems = [...problems, ...duplicates];
    return this;
  }
}
