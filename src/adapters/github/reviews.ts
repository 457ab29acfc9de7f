/** A pull request review as GitHub lists them (chronological). */
export interface Review {
  id: number
  user: { login: string; id: number } | null
  state: string
  submitted_at?: string | null
  html_url?: string
}

export interface ReviewerOpinion {
  login: string
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'DISMISSED' | 'COMMENTED'
  submittedAt?: string
  url?: string
}

const DECISIVE = new Set(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED'])

/**
 * The latest opinion of each reviewer, the way GitHub itself weighs them: pending reviews do not
 * count, a later comment does not replace an approval or a change request, and a dismissal clears
 * the change request it dismissed.
 */
export function latestOpinions(reviews: Review[]): ReviewerOpinion[] {
  const byUser = new Map<number, ReviewerOpinion>()
  for (const review of reviews) {
    if (!review.user || review.state === 'PENDING') continue
    const seen = byUser.get(review.user.id)
    const opinion: ReviewerOpinion = {
      login: review.user.login,
      state: review.state as ReviewerOpinion['state'],
      submittedAt: review.submitted_at ?? undefined,
      url: review.html_url,
    }
    if (DECISIVE.has(review.state)) byUser.set(review.user.id, opinion)
    else if (review.state === 'COMMENTED' && !seen) byUser.set(review.user.id, opinion)
  }
  return [...byUser.values()]
}

export interface ReviewThread {
  id: string
  isResolved: boolean
  isOutdated: boolean
  path: string | null
}
