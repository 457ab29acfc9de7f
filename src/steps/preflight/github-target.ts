import { z } from 'zod'
import type { StepContext } from '../../engine/step-kind.js'
import { GitHubClient } from '../../adapters/github/client.js'
import { remoteUrl } from '../../adapters/github/git.js'
import { apiUrlForHost, parseRemoteUrl, parseRepoSlug, type RepoRef } from '../../adapters/github/remote.js'

/** Options both GitHub gates take. */
export const githubOptionShape = {
  repo: z.string().refine((v) => parseRepoSlug(v) !== null, { message: "expected 'owner/name'" }).optional().describe('\'owner/name\'; by default read from the git remote.'),
  remote: z.string().min(1).default('origin').describe('The git remote the repository is read from when `repo` is not set.'),
  apiUrl: z.string().regex(/^https?:\/\//, 'expected an http(s) URL').optional().describe('REST base URL: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise.'),
  graphqlUrl: z.string().regex(/^https?:\/\//, 'expected an http(s) URL').optional().describe('GraphQL endpoint; by default derived from apiUrl (HOST/api/graphql on Enterprise).'),
  tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name').default('GITHUB_TOKEN').describe('Variable holding the token; the token itself never goes in the config.'),
  requestTimeoutMs: z.number().int().positive().default(30_000).describe('Per-request limit.'),
}

export interface GitHubOptions {
  repo?: string
  remote: string
  apiUrl?: string
  graphqlUrl?: string
  tokenEnv: string
  requestTimeoutMs: number
}

export interface GitHubTarget {
  repo: RepoRef
  apiUrl: string
  client: GitHubClient
}

/** Where an option of this step lives in the config, for messages that tell the user what to set. */
export function optionPath(ctx: StepContext<unknown>, key: string): string {
  return `environments.${ctx.environmentName}.steps.${ctx.step.id}.options.${key}`
}

/** The repository (option, else the git remote), the API base and a client carrying the token. */
export async function githubTarget(ctx: StepContext<unknown>, opts: GitHubOptions): Promise<GitHubTarget> {
  let repo: RepoRef | null = opts.repo ? parseRepoSlug(opts.repo) : null
  if (!repo) {
    const url = await remoteUrl(ctx.cwd, opts.remote, ctx.signal)
    repo = url ? parseRemoteUrl(url) : null
    if (!repo) {
      const why = url ? `git remote "${opts.remote}" (${url}) does not name a repository` : `no git remote "${opts.remote}" in ${ctx.cwd}`
      throw new Error(`${why}; set ${optionPath(ctx, 'repo')} to 'owner/name'`)
    }
  }
  const apiUrl = opts.apiUrl ?? apiUrlForHost(repo.host)
  const token = ctx.env[opts.tokenEnv] || undefined
  ctx.redactor.add(token)
  if (!token) ctx.log(`${opts.tokenEnv} is not set: asking GitHub without a token (public repositories only, 60 requests an hour)`)
  const client = new GitHubClient({ apiUrl, graphqlUrl: opts.graphqlUrl, token, tokenEnv: opts.tokenEnv, signal: ctx.signal, timeoutMs: opts.requestTimeoutMs })
  return { repo, apiUrl, client }
}
