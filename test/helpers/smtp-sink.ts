import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from '../support/sandbox/smtp-sink';

/**
 * Start an in-process SMTP sink for one test file (it lives in the worker, so tests can read
 * `sink.messages` directly). Stop it in afterAll/afterEach. Works in both projects.
 */
export function startSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  return startSmtpSink(options);
}
