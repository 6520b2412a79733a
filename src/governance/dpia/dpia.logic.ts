import type { Risk } from './dpia.schema.js'

/**
 * The levels of a risk's score (likelihood × severity, each 1 to 4, as in the CNIL's PIA
 * method): what a DPO reads first in the register.
 */
export function levelOf(score: number): 'low' | 'medium' | 'high' | 'very high' {
  if (score >= 12) return 'very high'
  if (score >= 8) return 'high'
  if (score >= 4) return 'medium'
  return 'low'
}

export function scored(risk: Risk) {
  const score = risk.likelihood * risk.severity
  const residualScore = risk.residualLikelihood * risk.residualSeverity
  return {
    ...risk,
    score,
    residualScore,
    level: levelOf(score),
    residualLevel: levelOf(residualScore),
  }
}

/** A review is overdue from the day after its due date (Art. 35(11): review when risk may change). */
export function isOverdue(reviewDueOn: string, now: Date): boolean {
  return reviewDueOn < now.toISOString().slice(0, 10)
}

/** The same calendar day a year on (29 February becomes 28 February). */
export function aYearFrom(now: Date): string {
  const year = now.getUTCFullYear() + 1
  const month = now.getUTCMonth()
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate()
  const day = Math.min(now.getUTCDate(), lastDay)
  return new Date(Date.UTC(year, month, day)).toISOString().slice(0, 10)
}

/**
 * Measures that do not lower a risk are worth a question, and a residual risk still
 * high after them calls for prior consultation of the authority (Art. 36(1)).
 */
export function needsPriorConsultation(risks: readonly Risk[]): boolean {
  return risks.some((risk) => risk.residualLikelihood * risk.residualSeverity >= 8)
}
