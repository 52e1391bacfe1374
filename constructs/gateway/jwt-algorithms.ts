/**
 * The JWS algorithms the gateway's token verifier accepts: asymmetric only. A symmetric one (HS*) would put the
 * signing secret in the gateway pod, where anyone who reads it can mint tokens; `none` is never accepted. Its own
 * module without imports: the verifier process (src/auth/) reads it without loading the construct library.
 */
export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
