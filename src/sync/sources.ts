import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { intervalString, parseYaml, regexString, YamlFileError } from '../yaml-file.js';

const repoName = z.string().regex(/^[\w.-]+\/[\w.-]+$/, { error: 'must look like owner/repo' });
const regex = regexString;
const interval = intervalString;

export const githubSourceSchema = z
  .object({
    installations: z
      .array(
        z
          .object({
            id: z.number().int().positive({ error: 'must be the numeric installation id' }),
            repos: z.array(repoName).min(1),
          })
          .strict(),
      )
      .min(1, { error: 'must name at least one installation' }),
    interval: interval.default('5 minutes'),
    backfill_days: z.number().int().min(1).max(3650).default(90),
    // Issues are synced as work items (and can be incidents, see `incidents.github`).
    issues: z.boolean().default(true),
    // What counts as a production deployment (DORA): GitHub Deployments to an environment (default),
    // and/or completed workflow runs on the default branch whose name matches, and/or published releases
    // whose name or tag matches.
    deployments: z
      .object({
        environment: z.string().min(1).default('production'),
        workflow: regex.optional(),
        release: regex.optional(),
      })
      .strict()
      .default({ environment: 'production' }),
    // Repository docs for `ask`: files and folders (ending in /) on the default branch, by extension.
    docs: z
      .object({
        paths: z.array(z.string().min(1)).min(1).default(['README.md', 'docs/', 'doc/', 'adr/']),
        extensions: z
          .array(z.string().regex(/^\.\w+$/, { error: 'must look like .md' }))
          .default(['.md', '.mdx', '.txt']),
      })
      .strict()
      .optional(),
  })
  .strict();

const customField = z.string().min(1);

export const jiraSourceSchema = z
  .object({
    projects: z.array(z.string().regex(/^[A-Z][A-Z0-9]+$/, { error: 'must be a Jira project key such as ENG' })).min(1),
    boards: z.array(z.number().int().positive()).default([]),
    // ANDed to the project filter, e.g. "issuetype != Epic".
    jql: z.string().optional(),
    interval: interval.default('10 minutes'),
    backfill_days: z.number().int().min(1).max(3650).default(90),
    // Story points and sprint are custom fields whose ids differ per site (Jira admin → Custom fields). Points may
    // name several fields: company-managed projects keep them in "Story Points", team-managed ones in "Story point
    // estimate", two fields with two ids on a site that has both kinds; an issue's points are the first one set.
    fields: z
      .object({
        points: z.union([customField, z.array(customField).min(1)]).default('customfield_10016'),
        sprint: customField.default('customfield_10020'),
      })
      .strict()
      .default({ points: 'customfield_10016', sprint: 'customfield_10020' }),
  })
  .strict();

export const linearSourceSchema = z
  .object({
    teams: z.array(z.string().regex(/^[A-Z][A-Z0-9]*$/, { error: 'must be a Linear team key such as APP' })).min(1),
    interval: interval.default('10 minutes'),
    backfill_days: z.number().int().min(1).max(3650).default(90),
  })
  .strict();

// Shortcut teams by mention name (Settings → Teams; the name after @), e.g. `mobile`.
export const shortcutSourceSchema = z
  .object({
    teams: z
      .array(
        z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, { error: 'must be a Shortcut team mention name such as mobile' }),
      )
      .min(1),
    interval: interval.default('10 minutes'),
    backfill_days: z.number().int().min(1).max(3650).default(90),
  })
  .strict();

export const confluenceSourceSchema = z
  .object({
    spaces: z
      .array(z.string().regex(/^[A-Za-z0-9~_-]+$/, { error: 'must be a Confluence space key such as ENG' }))
      .min(1),
    interval: interval.default('30 minutes'),
  })
  .strict();

// Manual links between a person's accounts; they win over what syncing discovers. Without an e-mail (Jira hides
// it by privacy setting), a Jira, Linear or GitHub account names the person.
export const personSchema = z
  .object({
    email: z.email({ error: 'must be an e-mail address' }).optional(),
    name: z.string().optional(),
    slack: z
      .string()
      .regex(/^[UW][A-Z0-9]+$/, { error: 'must be a Slack user id such as U012ABCDEF' })
      .optional(),
    github: z.string().optional(),
    jira: z.string().optional(),
    linear: z.string().optional(),
    shortcut: z.string().optional(),
  })
  .strict()
  .refine((p) => p.email || p.jira || p.linear || p.shortcut || p.github, {
    error: 'needs an email, or a jira, linear, shortcut or github account',
  });

const names = z.array(z.string().min(1)).default([]);
// How incidents are found in the trackers (matched case-insensitively); the bot's own incidents always count.
export const incidentRulesSchema = z
  .object({
    jira: z
      .object({ issue_types: names, labels: names })
      .strict()
      .default({ issue_types: ['Incident'], labels: [] }),
    linear: z
      .object({ labels: names })
      .strict()
      .default({ labels: ['incident'] }),
    github: z
      .object({ labels: names })
      .strict()
      .default({ labels: ['incident'] }),
    shortcut: z
      .object({ labels: names })
      .strict()
      .default({ labels: ['incident'] }),
  })
  .strict();
export type IncidentRules = z.infer<typeof incidentRulesSchema>;
/** A tracker item is an incident when its type or one of its labels is listed. */
export interface IncidentMatch {
  issue_types?: string[];
  labels: string[];
}

export const sourcesSchema = z
  .object({
    people: z.array(personSchema).default([]),
    incidents: incidentRulesSchema.default({
      jira: { issue_types: ['Incident'], labels: [] },
      linear: { labels: ['incident'] },
      github: { labels: ['incident'] },
      shortcut: { labels: ['incident'] },
    }),
    github: githubSourceSchema.optional(),
    jira: jiraSourceSchema.optional(),
    linear: linearSourceSchema.optional(),
    confluence: confluenceSourceSchema.optional(),
    shortcut: shortcutSourceSchema.optional(),
  })
  .strict();

export type Sources = z.infer<typeof sourcesSchema>;

/** The sources that are configured (github, jira, ...), without the people list and incident rules. */
export function configuredSources(sources: Sources): string[] {
  return (['github', 'jira', 'linear', 'shortcut', 'confluence'] as const).filter(
    (name) => sources[name] !== undefined,
  );
}
export type GitHubSource = z.infer<typeof githubSourceSchema>;
export type JiraSource = z.infer<typeof jiraSourceSchema>;
export type ConfluenceSource = z.infer<typeof confluenceSourceSchema>;
export type LinearSource = z.infer<typeof linearSourceSchema>;
export type ShortcutSource = z.infer<typeof shortcutSourceSchema>;

export class SourcesError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid sources file:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SourcesError';
  }
}

/** Parses sources YAML; every problem is reported as "file:line: path: message". */
export function parseSources(text: string, file = 'sources.yml'): Sources {
  try {
    return parseYaml(sourcesSchema, text, file);
  } catch (err) {
    if (err instanceof YamlFileError) throw new SourcesError(err.problems);
    throw err;
  }
}

/** Reads the sources file; a missing file means no sources (the product still runs). */
export function loadSources(path: string): Sources {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return sourcesSchema.parse({});
    throw err;
  }
  return parseSources(text, path);
}
