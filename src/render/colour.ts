import chalk from 'chalk'

/**
 * Colour as https://no-color.org and https://force-color.org ask: NO_COLOR (set, not empty) turns it
 * off, whatever else is set; otherwise FORCE_COLOR (set, not empty, not 0 or false) turns it on even
 * when stdout is not a terminal; otherwise colour only on a terminal whose TERM is not dumb.
 */
export function colourEnabled(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  const force = env.FORCE_COLOR
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false'
  return Boolean(stream.isTTY) && env.TERM !== 'dumb'
}

export function configureColour(stream: NodeJS.WriteStream = process.stdout): void {
  chalk.level = colourEnabled(stream) ? chalk.level || 1 : 0
}

export {chalk}
