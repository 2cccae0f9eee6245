/** The RFC 9728 `resource_metadata` parameter every challenge of the api at `apiUrl` ends with. */
export function metadataParam(apiUrl: string): string {
  return `resource_metadata="${apiUrl}/.well-known/oauth-protected-resource"`;
}

/** `challenge` as the api at `apiUrl` sends it: with its resource_metadata parameter. */
export function withMetadata(challenge: string, apiUrl: string): string {
  return `${challenge}, ${metadataParam(apiUrl)}`;
}
