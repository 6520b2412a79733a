/**
 * Where a workspace's public documents are served, for links other modules put in what
 * they hand to people (a consent receipt's policy URL). The routes themselves belong to
 * the modules that make the documents (governance serves the notice).
 */
export function privacyNoticePath(workspaceId: string, format: 'html' | 'json' = 'html'): string {
  return `/v1/workspaces/${workspaceId}/privacy-notice.${format}`
}
