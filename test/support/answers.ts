/** The classification answers with nothing met: a test sets only the answers it is about. */
import type { ClassificationAnswers } from '../../src/incident/decisions.js';

export const NO_ANSWERS: ClassificationAnswers = {
  platformDown: false,
  inferenceFailingPct: 0,
  securityIncident: false,
  dataLoss: false,
  users: 'none',
  singleFeature: false,
  majorFeatureDown: false,
  performance: 'none',
  workaround: false,
  cosmetic: false,
  informational: false,
};
