import pino, { type Logger } from "pino";

/** JSON-lines logger on stdout (or a given stream, for tests). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, base: { svc: "textnlp-appliance" }, timestamp: pino.stdTimeFunctions.isoTime },
    destination,
  );
}
