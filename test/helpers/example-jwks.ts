/** A public EC key set (the example key of RFC 7517, appendix A.1), for configurations no test signs a token for. */
export const EXAMPLE_JWKS = {
  keys: [
    {
      kty: 'EC',
      crv: 'P-256',
      kid: 'k1',
      x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    },
  ],
};
