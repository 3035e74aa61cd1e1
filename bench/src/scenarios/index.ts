import type { Scenario } from '../scenario.js';
import { searchScenario } from './search.scenario.js';

/** Every scenario, in the order `npm run bench` runs them. A new scenario is one file and one line here. */
export const scenarios: Scenario[] = [searchScenario];
