import { readFileSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Where the calling thread's priority was set, or why it was not. */
export type ThreadPriority = { threadId: number; nice: number } | { threadId: null; reason: string };

/**
 * Lowers the calling OS thread's scheduling priority to `nice` (0 to 19; higher yields more), on
 * Linux, where a thread has its own nice value: `setpriority` given a thread's id changes that
 * thread only (`/proc/thread-self` names the caller's id). The webhook processing thread calls it
 * on itself, so that when the cores are short the acknowledging thread, at the process's own
 * priority, runs first: processing still gets every cycle nobody else wants. Raising a priority
 * needs privileges; lowering one never does. Elsewhere (or 0) it changes nothing and says why.
 */
export function lowerThisThreadPriority(nice: number): ThreadPriority {
  if (!Number.isInteger(nice) || nice < 0 || nice > 19) throw new RangeError(`nice must be an integer from 0 to 19, got ${nice}`);
  if (nice === 0) return { threadId: null, reason: 'nice 0: the process priority' };
  if (process.platform !== 'linux') return { threadId: null, reason: `a thread's own priority is Linux's (this is ${process.platform})` };
  let threadId: number;
  try {
    threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch (error) {
    return { threadId: null, reason: `/proc/thread-self is not readable: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!Number.isInteger(threadId) || threadId <= 0) return { threadId: null, reason: 'the thread id could not be read' };
  // Never raises it: a process already niced above `nice` keeps its own (raising would need privileges).
  const current = threadNice(threadId);
  setPriority(threadId, Math.max(nice, current ?? nice));
  return { threadId, nice: threadNice(threadId) ?? nice };
}

/** A thread's nice value as the kernel reports it (`/proc/<pid>/task/<tid>/stat`, field 19), or null. */
export function threadNice(threadId: number, pid = process.pid): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${threadId}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const nice = Number(fields[16]);
    return Number.isInteger(nice) ? nice : null;
  } catch {
    return null;
  }
}
