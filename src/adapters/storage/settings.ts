/** The config's `storage` section: how s3:// locations are reached. Credentials never live here. */
export interface ObjectStorageSettings {
  endpoint?: string
  region?: string
  forcePathStyle?: boolean
}

/** The variables holding object storage's credentials: secrets wherever a run writes. */
export const STORAGE_SECRETS = ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const

/**
 * The environment with the config's storage settings in the variables the S3 client reads: one
 * carrier for them through runs, steps and every verb, and the config wins over a variable set for
 * some other purpose. Credentials stay the user's AWS variables.
 */
export function withStorageSettings(env: NodeJS.ProcessEnv, settings: ObjectStorageSettings | undefined): NodeJS.ProcessEnv {
  if (!settings) return env
  return {
    ...env,
    ...(settings.endpoint ? { AWS_ENDPOINT_URL_S3: settings.endpoint } : {}),
    ...(settings.region ? { AWS_REGION: settings.region } : {}),
    ...(settings.forcePathStyle !== undefined ? { AWS_S3_FORCE_PATH_STYLE: settings.forcePathStyle ? '1' : '0' } : {}),
  }
}
