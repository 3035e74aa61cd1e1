/**
 * Preloaded into the stack's processes (`NODE_OPTIONS=--import=<this file>`; Node refuses `--cpu-prof` there) when a
 * scenario runs with `--cpu-profile <dir>`: samples the whole process with the inspector and writes
 * `<dir>/<command>-<pid>.cpuprofile` (open it in Chrome DevTools or speedscope) at the first SIGTERM or at exit.
 */
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const directory = process.env.BENCH_CPU_PROFILE_DIR;
if (directory) {
  const session = new Session();
  session.connect();
  // A same-thread inspector session answers synchronously, so the profile can be taken in a signal or exit handler.
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  let written = false;
  const write = () => {
    if (written) {
      return;
    }
    written = true;
    session.post('Profiler.stop', (error, result) => {
      if (!error) {
        const name = `${
          process.argv
            .slice(2)
            .join('-')
            .replace(/[^\w.-]/g, '_') || 'node'
        }-${process.pid}.cpuprofile`;
        writeFileSync(join(directory, name), JSON.stringify(result.profile));
      }
    });
  };
  const onSignal = () => {
    write();
    process.removeListener('SIGTERM', onSignal);
    // Nothing else handles SIGTERM: terminate the way the default handler would.
    if (process.listenerCount('SIGTERM') === 0) {
      process.kill(process.pid, 'SIGTERM');
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('exit', write);
}
