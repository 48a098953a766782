import { html } from "hono/html";
import { roles, type User } from "../../../shared/db/schema/index.ts";
import { formatTime } from "./format.ts";

/** The two password fields of a form (a new password and its confirmation). */
const passwordFields = (prefix: string) =>
  html`<label for="${prefix}-password">Password (at least 12 characters)</label>
    <input id="${prefix}-password" name="password" type="password" minlength="12" maxlength="1024" required autocomplete="new-password" />
    <label for="${prefix}-confirm">Password again</label>
    <input id="${prefix}-confirm" name="confirm" type="password" minlength="12" maxlength="1024" required autocomplete="new-password" />`;

function userRow(user: User, selfId: string) {
  const self = user.id === selfId;
  return html`<tr data-user="${user.id}" data-username="${user.username}" data-status="${user.disabledAt ? "disabled" : "active"}">
    <th scope="row">${user.username}${self ? html` <span class="badge">you</span>` : ""}</th>
    <td>
      <label class="visually-hidden" for="role-${user.id}">Role of ${user.username}</label>
      <select id="role-${user.id}">${roles.map((r) => html`<option ${r === user.role ? html`selected` : ""}>${r}</option>`)}</select>
      <button type="button" data-action="user-role" data-id="${user.id}">Change role<span class="visually-hidden"> of ${user.username}</span></button>
    </td>
    <td>${user.disabledAt ? `disabled ${formatTime(user.disabledAt)}` : "active"}</td>
    <td>${formatTime(user.createdAt)}</td>
    <td class="actions">
      ${
        user.disabledAt
          ? html`<button type="button" data-action="user-enable" data-id="${user.id}">Enable<span class="visually-hidden"> ${user.username}</span></button>`
          : html`<button type="button" data-action="user-disable" data-id="${user.id}">Disable<span class="visually-hidden"> ${user.username}</span></button>`
      }
      <details>
        <summary>Reset password<span class="visually-hidden"> of ${user.username}</span></summary>
        <form class="user-password card" data-id="${user.id}">${passwordFields(`reset-${user.id}`)}
          <button type="submit">Set password<span class="visually-hidden"> of ${user.username}</span></button>
        </form>
      </details>
      <button type="button" class="danger" data-action="user-delete" data-id="${user.id}" data-name="${user.username}">Delete<span class="visually-hidden"> ${user.username}</span></button>
    </td>
  </tr>`;
}

/**
 * People who may log in (only admins may use this panel). Passwords are typed twice and never
 * shown or sent back; the last active admin cannot be demoted, disabled or deleted.
 */
export function usersBody(users: User[], selfId: string) {
  return html`<section aria-labelledby="create-heading">
      <h2 id="create-heading">Create a user</h2>
      <form id="user-create" class="card">
        <label for="new-username">User name</label>
        <input id="new-username" name="username" required maxlength="64" pattern="[A-Za-z0-9._@\\-]+" autocomplete="off" />
        <label for="new-role">Role (only admins can log in to this panel)</label>
        <select id="new-role" name="role">${roles.map((r) => html`<option>${r}</option>`)}</select>
        ${passwordFields("new")}
        <button type="submit">Create user</button>
      </form>
    </section>
    <section aria-labelledby="users-heading">
      <h2 id="users-heading">Users</h2>
      <table>
        <thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
        <tbody>${users.map((user) => userRow(user, selfId))}</tbody>
      </table>
    </section>`;
}
