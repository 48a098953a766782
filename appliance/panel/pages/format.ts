/** Figures as people read them (the page's script shows texts made here, never its own). */
export function formatBytes(bytes: number | null): string {
  if (bytes == null) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** A duration in seconds as "42 s", "5 min", "3 h" or "2 d". */
export function formatAge(seconds: number | null): string {
  if (seconds == null) return "never";
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

/** An ISO time without milliseconds, in UTC. */
export const formatTime = (date: Date | null) =>
  date ? `${date.toISOString().slice(0, 19).replace("T", " ")} UTC` : "–";
