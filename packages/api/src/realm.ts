/** RFC 6750 §3 realm of every challenge this api sends. */
export const REALM = "api";
