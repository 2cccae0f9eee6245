/**
 * Subject: the ceiling. A bare node:http handler answering the api's JSON on the same four routes,
 * with no authentication at all: nothing that checks a token can be faster.
 */
import { createServer } from "node:http";
import { PROTECTED_MESSAGE, PUBLIC_MESSAGE } from "../routes.ts";
import { listenAndAnnounce, readSubjectEnv } from "./subject-setup.ts";

const env = readSubjectEnv();
const { tokenSub } = env;

const answers: Record<string, () => unknown> = {
  "/public": () => ({ message: PUBLIC_MESSAGE }),
  "/protected": () => ({ message: PROTECTED_MESSAGE, sub: tokenSub }),
  "/trpc/public": () => ({ result: { data: { message: PUBLIC_MESSAGE } } }),
  "/trpc/protected": () => ({ result: { data: { message: PROTECTED_MESSAGE, sub: tokenSub } } }),
};

const server = createServer((req, res) => {
  const answer = Object.hasOwn(answers, req.url ?? "") ? answers[req.url ?? ""] : undefined;
  const payload = JSON.stringify(answer === undefined ? { error: "not_found" } : answer());
  res.writeHead(answer === undefined ? 404 : 200, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
  });
  res.end(payload);
});
listenAndAnnounce(server, env);
