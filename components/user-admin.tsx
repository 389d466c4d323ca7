'use client';

import { useEffect, useState } from 'react';
import { deleteUser, listUsers, type UserView } from '@/components/lib/account-api';
import { describeQuota } from '@/components/lib/quota-form';
import { ConfirmButton } from './confirm-button';
import { LocalTime } from './local-time';
import { EditUserForm, NewUserForm } from './user-forms';
import styles from './account-forms.module.css';

/** Admin: every user with their role and limits; create, edit limits, delete. */
export function UserAdmin({ currentUserId }: { currentUserId: string }) {
  const [users, setUsers] = useState<UserView[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [deletingId, setDeletingId] = useState<string | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);

  useEffect(() => {
    let isCurrent = true;
    void listUsers().then((result) => {
      if (!isCurrent) return;
      if (result.ok) setUsers(result.value);
      else setLoadError(`The users could not be loaded: ${result.message}`);
    });
    return () => {
      isCurrent = false;
    };
  }, []);

  const replace = (user: UserView) => setUsers((current) => current?.map((candidate) => (candidate.id === user.id ? user : candidate)) ?? null);

  const remove = async (user: UserView) => {
    setDeletingId(user.id);
    setDeleteError(null);
    const result = await deleteUser(user.id);
    setDeletingId(null);
    if (!result.ok) {
      setDeleteError(`${user.username} could not be deleted: ${result.message}`);
      return;
    }
    setUsers((current) => current?.filter((candidate) => candidate.id !== user.id) ?? null);
  };

  return (
    <section className={styles.card} aria-labelledby="users-title" data-testid="user-admin">
      <div className={styles.cardHeader}>
        <h2 id="users-title" className={styles.sectionTitle}>
          Users
        </h2>
        <p className={styles.note}>Each user sees only their own batches; admins see every batch and manage users. Limits apply per user.</p>
      </div>

      {loadError ? (
        <p className={styles.alert} role="alert">
          {loadError}
        </p>
      ) : null}
      {deleteError ? (
        <p className={styles.alert} role="alert" data-testid="user-error">
          {deleteError}
        </p>
      ) : null}
      {users === null ? (
        loadError ? null : <p className={styles.note}>Loading the users…</p>
      ) : (
        <ul className={styles.list} aria-label="Users">
          {users.map((user) => {
            const isSelf = user.id === currentUserId;
            return (
              <li key={user.id} className={styles.listItem} data-testid="user-item" data-username={user.username}>
                <div className={styles.itemMain}>
                  <span className={styles.itemName}>
                    {user.username}
                    {user.role === 'admin' ? <span className={`${styles.pill} ${styles.pillAccent}`}>Admin</span> : null}
                    {isSelf ? <span className={styles.pill}>You</span> : null}
                  </span>
                  <span className={styles.itemMeta}>
                    <span data-testid="user-quota">{describeQuota(user.quota)}</span> · since <LocalTime timestamp={Date.parse(user.createdAt)} />
                  </span>
                </div>
                <div className={styles.itemActions}>
                  {editingId === user.id ? null : (
                    <button type="button" className="button button-secondary button-small" onClick={() => setEditingId(user.id)} data-testid="user-edit">
                      Edit
                    </button>
                  )}
                  {isSelf ? null : (
                    <ConfirmButton
                      label="Delete"
                      pendingLabel="Deleting…"
                      question={`Delete ${user.username}? Their tokens stop working; their batches stay.`}
                      isPending={deletingId === user.id}
                      onConfirm={() => void remove(user)}
                      testId="user-delete"
                    />
                  )}
                </div>
                {editingId === user.id ? (
                  <EditUserForm
                    user={user}
                    isSelf={isSelf}
                    onClose={() => setEditingId(null)}
                    onSaved={(saved) => {
                      replace(saved);
                      setEditingId(null);
                    }}
                  />
                ) : null}
              </li>
            );
          })}
        </ul>
      )}

      <NewUserForm onCreated={(user) => setUsers((current) => [...(current ?? []), user])} />
    </section>
  );
}
