/**
 * Tests that need something this machine may lack (nginx, redis-server, tzdata) run only when it is there. When it is
 * not, they are skipped under a name that says why, and the skip reporter (test/support/skip-reporter.js) lists every
 * skipped test by name at the end of the run: a test that did not run is never a silent "1 skipped".
 */
export interface Gate {
  readonly test: jest.It;
  readonly describe: jest.Describe;
}

/** `test`/`describe` when `available`; otherwise their skipped forms, titled `<title> [NOT RUN: <why>]`. */
export function runsWhen(available: boolean, why: string): Gate {
  if (available) return { test, describe };
  const suffix = (title: unknown) => `${String(title)} [NOT RUN: ${why}]`;
  const skippedTest = Object.assign(
    (title: string, fn?: jest.ProvidesCallback, timeout?: number) => test.skip(suffix(title), fn, timeout),
    { each: (table: any) => (title: string, fn: any, timeout?: number) => test.skip.each(table)(suffix(title), fn, timeout) },
  ) as unknown as jest.It;
  const skippedDescribe = ((title: string, fn: jest.EmptyFunction) => describe.skip(suffix(title), fn)) as unknown as jest.Describe;
  return { test: skippedTest, describe: skippedDescribe };
}
