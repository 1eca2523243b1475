/**
 * A preload (`node --import <this file>`) that makes the packages named in `ACCEL_HIDE_PACKAGES`
 * (comma-separated) impossible to find in this process, as on a machine where they are not
 * installed: each is resolved from a folder with no node_modules above it, so Node's own resolver
 * fails with its own ERR_MODULE_NOT_FOUND (`Cannot find package '<name>' imported from …`).
 */
import { register } from 'node:module';

const hidden = (process.env.ACCEL_HIDE_PACKAGES ?? '').split(',').filter(Boolean);

const hook = `
const hidden = ${JSON.stringify(hidden)};
const nowhere = 'file:///accel-hidden-packages/nowhere.js';
export async function resolve(specifier, context, next) {
  const hide = hidden.some((name) => specifier === name || specifier.startsWith(name + '/'));
  return next(specifier, hide ? { ...context, parentURL: nowhere } : context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
