/**
 * Who a pull request waits on, as a reader names them: the people asked to review it, then each team asked (by its
 * GitHub slug) as "the backend team".
 */
export function requestedReviewerNames(requested: { reviewers: string[]; teams: string[] }): string[] {
  return [...requested.reviewers, ...requested.teams.map((slug) => `the ${slug} team`)];
}
