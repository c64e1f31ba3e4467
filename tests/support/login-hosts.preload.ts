/**
 * Preloaded into a runtime child (`NODE_OPTIONS=--import tsx --import <this file>`) by tests that run
 * Teams with authentication on: routes the Microsoft login hosts to the test's BotIdentityFake
 * (HD_TEST_LOGIN_PORT, its CA in HD_TEST_LOGIN_CA), as `routeLoginHosts()` does in the test process.
 */
import { routeLoginHostsTo } from '../fakes/bot-identity.fake.js';

const port = Number(process.env.HD_TEST_LOGIN_PORT);
const ca = process.env.HD_TEST_LOGIN_CA ?? '';
if (!port || !ca) throw new Error('login-hosts preload: HD_TEST_LOGIN_PORT and HD_TEST_LOGIN_CA are required');
routeLoginHostsTo(port, ca);
