import { evaluateGoalDefinitions, type GoalDefinition } from '../server/server-goals.js';
import type { ServerGoalResult } from '../server/server-bench-result.js';
import type { ClusterBenchResult } from './cluster-bench-result.js';

type Measured = Pick<ClusterBenchResult, 'throughput' | 'latency' | 'httpLatency'>;

const fixed = (value: number | undefined, digits: number) => (value === undefined ? '–' : value.toFixed(digits));
const notMeasured = (part: { status: string; reason?: string }) => `${part.status}: ${part.reason ?? 'not measured'}`;

/** The goals of issue 15's benchmark. The latency overhead has no threshold there: it is reported, in its own section. */
export const clusterGoalDefinitions: readonly GoalDefinition<Measured>[] = [
  {
    id: 'two-workers-throughput',
    measure: 'MiniLM single-text requests under a saturating load: 2 worker processes ÷ 1 worker process, items/s behind one cluster client',
    comparison: '≥',
    threshold: 1.7,
    unit: '×',
    read({ throughput }) {
      if (throughput.status !== 'measured' || throughput.ratio === undefined) return { note: notMeasured(throughput) };
      const { one, two } = throughput;
      return {
        measured: throughput.ratio,
        note: `2 workers ${fixed(two?.itemsPerSecond, 0)} items/s, 1 worker ${fixed(one?.itemsPerSecond, 0)} items/s (medians of ${one?.rounds.length ?? 0} rounds each)`,
      };
    },
  },
  {
    id: 'cluster-errors-and-lost',
    measure: 'Requests through the cluster that failed, came back with a wrong vector, or were lost (every request of both measures)',
    comparison: '=',
    threshold: 0,
    unit: 'requests',
    read({ throughput, latency }) {
      const parts = [throughput.one?.accounting, throughput.two?.accounting, latency.accounting].filter((part) => part !== undefined);
      if (parts.length === 0) return { note: notMeasured(throughput) };
      const total = (key: 'sent' | 'answered' | 'errors' | 'lost') => parts.reduce((sum, part) => sum + part[key], 0);
      return { measured: total('errors') + total('lost'), note: `${total('sent')} sent, ${total('answered')} answered, ${total('errors')} errors, ${total('lost')} lost` };
    },
  },
];

/** Each goal with what this run measured; one the run did not measure is `skipped`, with why. */
export function evaluateClusterGoals(result: Measured): ServerGoalResult[] {
  return evaluateGoalDefinitions(clusterGoalDefinitions, result);
}
