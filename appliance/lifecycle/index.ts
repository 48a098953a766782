/** Data lifecycle: hot windows, warm-tier archives, subject and tenant erasure (see modules). */
export {
  ArchiveBusyError,
  type ArchiveFile,
  archiveRoot,
  listArchives,
  readArchive,
} from "./archive-files.ts";
export { type ArchiveResult, archiveExpired, type HotWindows } from "./archiver.ts";
export {
  type ErasureActor,
  type ErasureResult,
  eraseData,
  reapplyErasures,
} from "./erasure.ts";
export {
  clearErasuresPending,
  type ErasureEntry,
  type ErasureTarget,
  erasureLogPath,
  erasuresPending,
  markErasuresPending,
  readErasureLog,
} from "./erasure-log.ts";
export { type ArchiveLine, type DataKind, dataKinds } from "./kinds.ts";
export { hotWindows, type LifecycleSchedule, scheduleArchiving } from "./scheduler.ts";
export { subjectMatcher } from "./subject-match.ts";
