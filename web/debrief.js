// The debrief page a student keeps (and the instructor projects): the charts of a round (debrief-charts.js) from
// GET /api/classrooms/:cid/debrief?round=N, printable. Opened from the trading page (the student's token in
// localStorage, their classroom from /api/me) or from the instructor page (?classroom=, the instructor's token).
// ?round=N picks the round (default: the server's, the latest).
import { ApiError, get, setToken } from './api.js';
import { renderDebrief } from './debrief-charts.js';
import { $, say } from './dom.js';
import { errorText } from './format.js';
import { initI18n, languageSwitch, onLanguageChange, t } from './i18n.js';

function token() {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search);
    return { token: fromUrl, classroom: url.searchParams.get('classroom') };
  }
  const student = localStorage.getItem('cets.token');
  let teacher = null;
  try {
    teacher = JSON.parse(localStorage.getItem('cets.instructor') ?? 'null');
  } catch {
    teacher = null;
  }
  const wanted = url.searchParams.get('classroom');
  // The instructor's token when the page names their classroom (or no student is logged in here).
  if (teacher?.token && (student === null || (wanted !== null && wanted === teacher.classroom)))
    return { token: teacher.token, classroom: wanted ?? teacher.classroom };
  return student === null ? null : { token: student, classroom: wanted };
}

let data = null;

function draw() {
  if (data === null) return;
  const label = data.practice ? t('dbf.practiceTitle') : t('dbf.roundTitle', { n: data.round });
  $('dbf-round').textContent = label;
  $('dbf-sub').textContent = label;
  renderDebrief($('dbf-body'), data);
}

async function main() {
  await initI18n({ namespaces: ['instructor'] });
  languageSwitch($('top'));
  $('dbf-print').addEventListener('click', () => window.print());
  const msg = $('dbf-msg');
  const who = token();
  if (who === null) return say(msg, 'error', t('dbf.noToken'));
  setToken(who.token);
  try {
    let cid = who.classroom;
    if (!cid) cid = (await get('/api/me')).classroomId;
    const room = await get(`/api/classrooms/${encodeURIComponent(cid)}`);
    $('dbf-classroom').textContent = room.name;
    const round = new URL(location.href).searchParams.get('round');
    data = await get(
      `/api/classrooms/${encodeURIComponent(cid)}/debrief${round ? `?round=${encodeURIComponent(round)}` : ''}`,
    );
    say(msg, '', '');
    draw();
  } catch (e) {
    say(msg, 'error', e instanceof ApiError && e.status === 401 ? t('dbf.noToken') : errorText(e));
  }
  onLanguageChange(draw);
  let resized = null;
  window.addEventListener('resize', () => {
    clearTimeout(resized);
    resized = setTimeout(draw, 200);
  });
}

main();
