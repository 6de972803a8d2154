/** Seconds as a short duration: 4.2s, 3m 5s, 2h 1m, 3d 4h. */
export function fmt(seconds: number): string {
  const s = Math.max(0, seconds)
  if (s < 120) return `${Math.round(s * 10) / 10}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${Math.floor(s % 60)}s`
  const h = Math.floor(m / 60)
  if (h < 48) return `${h}h ${m % 60}m`
  return `${Math.floor(h / 24)}d ${h % 24}h`
}
