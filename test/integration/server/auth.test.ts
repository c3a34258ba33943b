// Tokens: the hub remembers tokens that authenticated (no hash per request), which must not outlive a revocation.
import { describe, expect, it } from 'vitest';
import { auth, testServer } from './fixture.ts';

describe('tokens', () => {
  it('a rotated instructor token stops working at once, though it was used (and remembered) before', async () => {
    const t = await testServer({}, { autoStart: false });
    try {
      const hub = t.server.hub;
      const old = t.server.instructorToken!;
      const url = '/api/classrooms/default/admin';
      expect((await t.inject({ method: 'GET', url, headers: auth(old) })).statusCode).toBe(200);
      expect(hub.auth(old)).toEqual({ role: 'instructor', classroomId: 'default' });
      const fresh = hub.rotateInstructorToken('default');
      expect(hub.auth(old)).toBeNull();
      expect((await t.inject({ method: 'GET', url, headers: auth(old) })).statusCode).toBe(401);
      expect((await t.inject({ method: 'GET', url, headers: auth(fresh) })).statusCode).toBe(200);
      // A student's token is the student, every time; an unknown one is nobody, every time.
      const s = await t.join('Ada');
      for (let i = 0; i < 3; i++) {
        expect(hub.auth(s.token)).toEqual({ role: 'student', classroomId: 'default', studentId: s.studentId });
        expect(hub.auth(`${s.token}x`)).toBeNull();
      }
    } finally {
      await t.close();
    }
  });
});
