import { Client, cacheExchange, fetchExchange, mapExchange } from 'urql';
import { isUnauthenticated } from './errors';

/**
 * A GraphQL client for one session. The app makes a new one at every
 * sign-in and sign-out so nothing read in one session survives into the next.
 * onUnauthenticated is called when the server says the session is gone.
 */
export function createClient(onUnauthenticated: () => void): Client {
  return new Client({
    url: '/graphql',
    preferGetMethod: false,
    fetchOptions: () => ({
      credentials: 'same-origin',
      headers: { 'X-Egide-CSRF': '1' },
    }),
    exchanges: [
      mapExchange({
        onError(error) {
          if (isUnauthenticated(error)) onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
    ],
  });
}
