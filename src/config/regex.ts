import { z } from 'zod'

/** A regular expression as a config writes it: checked when the config is loaded, not when first used. */
export const regexSource = z.string().refine(
  (source) => {
    try {
      new RegExp(source)
      return true
    } catch {
      return false
    }
  },
  { message: 'expected a valid regular expression' },
)
