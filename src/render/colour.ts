import chalk from 'chalk'

/** No colour unless stdout is a terminal and NO_COLOR is unset (https://no-color.org). */
export function configureColour(stream: NodeJS.WriteStream = process.stdout): void {
  const off = !stream.isTTY || (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') || process.env.TERM === 'dumb'
  if (off && !process.env.FORCE_COLOR) chalk.level = 0
}

export {chalk}
